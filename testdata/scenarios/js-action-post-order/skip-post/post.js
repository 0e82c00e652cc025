console.log('post skip-post');
