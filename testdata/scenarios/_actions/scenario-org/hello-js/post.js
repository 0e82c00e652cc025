console.log(`post sees ${process.env.STATE_fromPre} and ${process.env.STATE_fromMain}`);
