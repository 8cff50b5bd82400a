-- wrk script for scripts/bench. Arguments: PATH MAX_ARTIST MAX_WORK MAX_SKIP
-- {artist}, {work} and {skip} in PATH become a new random number on every
-- request (1..MAX_ARTIST, 1..MAX_WORK, 0..MAX_SKIP).
local threads = {}

function setup(thread)
    thread:set("id", #threads + 1)
    table.insert(threads, thread)
end

function init(args)
    template = args[1]
    max_artist, max_work, max_skip = tonumber(args[2]), tonumber(args[3]), tonumber(args[4])
    math.randomseed(os.time() * 1000 + id)
    random = template:find("{") ~= nil
    fixed = wrk.format("GET", template)
end

function request()
    if not random then return fixed end
    local path = template
        :gsub("{artist}", function() return math.random(1, max_artist) end)
        :gsub("{work}", function() return math.random(1, max_work) end)
        :gsub("{skip}", function() return math.random(0, max_skip) end)
    return wrk.format("GET", path)
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("RESULT %.0f %.3f %.3f %d %d\n",
        summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        e.status, e.connect + e.read + e.write + e.timeout))
end
