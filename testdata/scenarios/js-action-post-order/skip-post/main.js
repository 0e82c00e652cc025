console.log('main skip-post');
