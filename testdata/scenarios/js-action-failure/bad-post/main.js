console.log('main fine');
