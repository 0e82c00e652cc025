console.log('::error::something broke'); process.exitCode = 1;
