"""One module of exercise checks per lesson: `from utils.exercises import lesson01 as check`."""
