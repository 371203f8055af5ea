# Shape seen in feeluown/FeelUOwn, feeluown/utils/compat.py (public code): a fallback event
# loop policy for a qasync without one, whose new_event_loop() makes a QEventLoop (the policy's
# job, not LG101), and a QEventLoop subclass that overrides run_until_complete() and runs
# itself with self.run_forever() (the loop driving itself, not LG103). Code elsewhere that makes
# such a loop does make a loop.
import asyncio

from PyQt6.QtWidgets import QApplication
from qasync import QEventLoop

try:
    from qasync import DefaultQEventLoopPolicy
except ImportError:

    class DefaultQEventLoopPolicy(asyncio.DefaultEventLoopPolicy):
        def new_event_loop(self):
            return QEventLoop(QApplication.instance() or QApplication(["player"]))


class PatchedQEventLoop(QEventLoop):
    def run_until_complete(self, future):
        if self.is_running():
            raise RuntimeError("Event loop already running")
        future = asyncio.ensure_future(future, loop=self)  # error: LG203(col=18, call="ensure_future")

        def stop(*args):
            self.stop()

        future.add_done_callback(stop)
        try:
            self.run_forever()
        finally:
            future.remove_done_callback(stop)
        if not future.done():
            raise RuntimeError("Event loop stopped before Future completed.")
        return future.result()


def make_player_loop():
    return PatchedQEventLoop(QApplication.instance())  # error: LG101(col=12, call="PatchedQEventLoop")
