// The service for the export benchmark, in its own process so that its memory is its own.
import { buildApp } from '../../src/app';
import { benchContext, listenForBenchmark } from './bench-app';

listenForBenchmark(buildApp(benchContext(process.env.BENCH_DATABASE_URL!)));
