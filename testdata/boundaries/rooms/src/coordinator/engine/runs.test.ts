import { createCoordinator } from "../coordinator.js";
import { serve } from "../service/server.js";

void [createCoordinator, serve];
