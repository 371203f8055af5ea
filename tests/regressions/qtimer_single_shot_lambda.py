# Shape seen in nordeim/SG-Bookkeeper_v2, app/ui/accounting/account_dialog.py (public code;
# the same line is in many PySide/PyQt apps of the code-search index).
# The lambda handed to QTimer.singleShot throws its task away: fire-and-forget (LG201), not a
# kept task (LG203). Handing the coroutine to a helper that owns it is fine.
import asyncio

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog


def schedule_task_from_qt(coro):
    return coro


class AccountDialog(QDialog):
    def __init__(self, service, account_id=None):
        super().__init__()
        self.service = service
        self.account_id = account_id
        if account_id:
            QTimer.singleShot(0, lambda: asyncio.ensure_future(self.load_account()))  # error: LG201(col=42, call="ensure_future")
        QTimer.singleShot(0, lambda: schedule_task_from_qt(self.load_account()))

    async def load_account(self):
        return await self.service.get(self.account_id)

    def on_save(self, dto):
        asyncio.ensure_future(self.service.save(dto))  # error: LG201(col=9, call="ensure_future")
