"""What to tell whom, and how it reads: pure Python, no I/O."""
