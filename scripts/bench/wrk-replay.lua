-- wrk script for the ingest benchmark: each thread sends its share of prepared requests
-- (one per line: method, path, headers joined by \31, body; tab-separated), each once,
-- and stops after `quota` responses, saying so on stdout. The caller prepares one spare
-- request per connection, so the requests in flight when a thread stops are new ones too.
-- Arguments after `--`: file, threads, quota per thread. Prints one JSON line when done.
local count = 0

function setup(thread)
  thread:set("id", count)
  count = count + 1
end

function init(args)
  local file, threads = args[1], tonumber(args[2])
  quota = tonumber(args[3])
  prepared = {}
  local index = 0
  for line in io.lines(file) do
    if index % threads == id then
      local method, path, headerText, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      local headers = {}
      for pair in headerText:gmatch("[^\31]+") do
        local name, value = pair:match("^([^:]+): (.*)$")
        headers[name] = value
      end
      prepared[#prepared + 1] = wrk.format(method, path, headers, body)
    end
    index = index + 1
  end
  sent, answered = 0, 0
end

function request()
  sent = sent + 1
  return prepared[math.min(sent, #prepared)]
end

function response(status, headers, body)
  answered = answered + 1
  if answered == quota then
    -- wrk runs for its whole duration unless interrupted: the caller sends SIGINT once every thread is done.
    io.write("thread done\n")
    io.stdout:flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"durationUs":%d,"errors":%d,"p50Us":%d,"p99Us":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
