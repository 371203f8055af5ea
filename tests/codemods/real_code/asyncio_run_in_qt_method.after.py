# Shape seen in KGBcomrade/Puller, proc/proc.py (public code): a method of a controller in a PyQt6
# module drives a motor coroutine with asyncio.run(); the class already owns an asyncio.Lock.
import asyncio

from PyQt6.QtWidgets import QMessageBox
from qasync import asyncSlot


class Process:
    def __init__(self, motor):
        self.lock = asyncio.Lock()
        self.motor = motor

    @asyncSlot()
    async def move_burner(self, position):
        await self.motor.move_to(position)

    def warn(self, parent, text):
        QMessageBox.warning(parent, "Process", text)
