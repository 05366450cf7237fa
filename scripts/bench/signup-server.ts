// The server side of the signup benchmark, in its own process so the load generator does
// not share its event loop: the real app (route table, helmet, logging, rate limiter) on a
// real database. Reading the page never calls Stripe.
import { buildApp } from '../../src/app';
import { benchContext, listenForBenchmark } from './bench-app';

listenForBenchmark(buildApp(benchContext(process.env.BENCH_DATABASE_URL!)));
