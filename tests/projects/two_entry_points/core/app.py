async def serve():
    return None
