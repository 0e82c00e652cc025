console.log(`js ${process.env.INPUT_TAG} post`);
