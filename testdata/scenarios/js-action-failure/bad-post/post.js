console.log('post is failing'); process.exit(2);
