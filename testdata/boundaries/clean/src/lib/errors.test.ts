import { fakeClock } from "../../test/support/fake-clock.js";
import { PoolError } from "./errors.js";

void fakeClock;
void PoolError;
