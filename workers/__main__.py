"""`python -m workers`: run one worker with the settings from the environment."""

import asyncio

from workers.logging import configure_logging
from workers.settings import Settings
from workers.worker import run_worker

if __name__ == "__main__":
    settings = Settings.from_env()
    configure_logging(settings.log_format, settings.log_level)
    asyncio.run(run_worker(settings))
