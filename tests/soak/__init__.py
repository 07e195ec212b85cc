"""The load run (`make soak`): many initiatives living their whole lives for minutes on end, with
the worker's memory sampled throughout and every record checked at the end."""
