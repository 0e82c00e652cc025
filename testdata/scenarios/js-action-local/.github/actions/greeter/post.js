console.log(`post of ${process.env.STATE_started} sees inputs ${process.env["INPUT_WHO-TO-GREET"]}`);
