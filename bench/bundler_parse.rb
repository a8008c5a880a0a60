# Times Bundler::LockfileParser alone: the file is read once, then parsed repeatedly inside
# this Ruby process, so neither Ruby's start nor the file read is counted. No warm-up run:
# Ruby 3.1 runs without a JIT here, and a 50,000-spec parse takes minutes.
#   ruby bench/bundler_parse.rb FILE MAX_RUNS BUDGET_MS
# Prints one JSON line: {"specs": N, "samples_ms": [...]}. Run with BUNDLE_GEMFILE set to a
# Gemfile: Bundler wants a project root, and the lockfile itself may live anywhere.
require 'bundler'
require 'json'

file, max_runs, budget_ms = ARGV[0], Integer(ARGV[1]), Float(ARGV[2])
text = File.read(file)
specs = nil
samples = []
spent = 0.0
while samples.size < max_runs && (samples.empty? || spent < budget_ms)
  GC.start
  t = Process.clock_gettime(Process::CLOCK_MONOTONIC, :float_millisecond)
  parsed = Bundler::LockfileParser.new(text)
  ms = Process.clock_gettime(Process::CLOCK_MONOTONIC, :float_millisecond) - t
  specs ||= parsed.specs.size
  samples << ms
  spent += ms
end
puts JSON.generate({ specs: specs, samples_ms: samples })
