# Shape seen in nordeim/SG-Bookkeeper_v2, app/ui/accounting/account_dialog.py (public code): a
# PySide6 dialog schedules its loading coroutine from QTimer.singleShot(0, lambda: ensure_future(...))
# in __init__ and fires the save coroutine from a button handler, keeping neither task.
import asyncio

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog

from loop_runtime import TaskManager


class AccountDialog(QDialog):
    _task_manager = TaskManager()

    def __init__(self, core, account_id=None, parent=None):
        super().__init__(parent)
        self.core = core
        self.account_id = account_id
        if self.account_id:
            QTimer.singleShot(0, lambda: self._task_manager.add_task(asyncio.ensure_future(self.load_account()), name="ensure_future_in_qt_dialog:AccountDialog:__init__"))

    def on_save(self):
        data = self.collect()
        if self.account_id:
            self._task_manager.add_task(
                asyncio.ensure_future(self.update_account(data)),
                name="ensure_future_in_qt_dialog:AccountDialog:on_save",
            )
        else:
            self._task_manager.add_task(
                asyncio.ensure_future(self.create_account(data)),
                name="ensure_future_in_qt_dialog:AccountDialog:on_save#2",
            )

    async def load_account(self):
        self.account = await self.core.accounts.get(self.account_id)
