import threading

from .loop_helpers import run_in_private_loop


class PricesPanel:
    def __init__(self, service):
        self.service = service

    def refresh(self):
        worker = threading.Thread(target=run_in_private_loop, args=(self.service.load(),), daemon=True)
        worker.start()
