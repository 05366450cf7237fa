// The production entry point: real Stripe only (see src/stripe/stand-in.ts).
import { runService } from './run';

void runService({});
