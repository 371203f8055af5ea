import threading

import qasync

from wallet.sync_api import balance_sync, history_sync
from wallet.window import WalletWindow


async def main():
    balance_sync()  # entry-point code: not reported
    threading.Thread(target=history_sync, daemon=True).start()  # a second loop all the same
    WalletWindow().show()


if __name__ == "__main__":
    qasync.run(main())
