module goroscope/bench/faketargets

go 1.19
