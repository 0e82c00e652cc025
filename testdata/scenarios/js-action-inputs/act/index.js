const e = process.env;
console.log(`upper=${e["INPUT_UPPER-CASE"]} needed=[${e.INPUT_NEEDED}] mixed=${e.INPUT_MIXED_CASE} extra=${e.INPUT_EXTRA}`);
