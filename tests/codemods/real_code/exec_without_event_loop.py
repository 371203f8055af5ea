# Shape seen in nanographs/Open-Beam-Interface, Software/src/obi_software/gui_modules/settings.py
# (public code, 2024): a settings panel of @asyncSlot() coroutines whose module, run as a script,
# shows the panel with Qt's own exec() and makes no QEventLoop (only imports it): the slots would
# have no running loop. Nothing proves which loop should drive it: left for a human.
from PyQt6.QtWidgets import QApplication, QGridLayout, QPushButton, QWidget
from qasync import QEventLoop, asyncSlot


class BeamSettings(QGridLayout):
    def __init__(self, connection):
        super().__init__()
        self.connection = connection
        self.blank_button = QPushButton("Blank")
        self.blank_button.clicked.connect(self.blank)
        self.addWidget(self.blank_button, 0, 0)

    @asyncSlot()
    async def blank(self):
        await self.connection.transfer("blank")


if __name__ == "__main__":
    import sys

    app = QApplication(sys.argv)
    window = QWidget()
    window.setLayout(BeamSettings(None))
    window.show()
    app.exec()
