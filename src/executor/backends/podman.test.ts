import { containerBackendSuite } from "./container-testkit.js";

containerBackendSuite("podman");
