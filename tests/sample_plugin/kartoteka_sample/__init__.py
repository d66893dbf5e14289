"""A partner-style plugin, shipped as its own distribution, that exercises every hook.

It is imported only when plugins.toml enables it; tests assert that.
"""
