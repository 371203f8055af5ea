# Shape seen in Volue-Public/energy-mesh-python, the early AsyncConnection of volue/mesh (public
# code), and in a gRPC client of the code-search index that imports grpc inside __init__: the
# grpc.aio channel is made eagerly in __init__, on whichever branch (LG301 on each).
import grpc


class AsyncConnection:
    def __init__(self, host, port, secure_connection, credentials=None):
        target = f"{host}:{port}"
        if not secure_connection:
            self.channel = grpc.aio.insecure_channel(  # error: LG301(col=28, call="grpc.aio.insecure_channel")
                target=target
            )
        else:
            self.channel = grpc.aio.secure_channel(target=target, credentials=credentials)  # error: LG301(col=28, call="grpc.aio.secure_channel")


class OracleClient:
    def __init__(self, target):
        import grpc as local_grpc

        self.channel = local_grpc.aio.insecure_channel(target)  # error: LG301(col=24, call="grpc.aio.insecure_channel")


class LazyClient:
    def __init__(self, target):
        self.target = target
        self.channel = None

    async def connect(self):
        self.channel = grpc.aio.insecure_channel(self.target)
