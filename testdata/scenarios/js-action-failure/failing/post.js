console.log('post after failure ran');
