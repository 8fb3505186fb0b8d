"""Probes and start-up checks: what the platform asks of a process, what stops one."""
