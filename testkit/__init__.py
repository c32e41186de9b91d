"""What the tests and the benchmarks share: wire-faithful fakes of the platforms' APIs, real peers (dovecot, SMTP),
sample mail, and a hub run as a real `aftersales serve` process. Not part of the installed product."""
