async def load_demo(runtime, currencies, scale):
    return None
