// The server side of the console benchmark, in its own process so the load generator does
// not share its event loop: the real app on the benchmark's database.
import { buildApp } from '../../src/app';
import { benchContext, listenForBenchmark } from './bench-app';

listenForBenchmark(buildApp(benchContext(process.env.BENCH_DATABASE_URL!, { publicUrl: 'http://127.0.0.1:3000' })));
