"""Benchmarks and fault drills: does Involve hold a full room and lose nothing?

`python -m bench.intake`  phone intake throughput and latency against a bare aiohttp handler
`python -m bench.scale`   a 1,000-person, 10,000-comment session: memory, render, export, resume
`python -m bench.faults`  kill -9 the running app under load, over and over, and count what was lost
`python -m bench.burst`   a real room's burst: 40 to 3,000 browser-like phones arriving within 5 s
`python -m bench.startup` `involve --help` against `python -c pass`
`python -m bench`         all of them, with their default sizes

Every load here goes to 127.0.0.0/8 only, is bounded in count and in time, and stops by itself.
"""
