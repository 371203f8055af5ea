# Shape seen in henningerc/RemoteControlStreamAssistant, Controller/CommandController.py (public
# code): a module-level function dispatches chat commands, each one a fire-and-forget create_task.
import asyncio


def dispatch(command):
    for step in command.steps:
        if step["kind"] == "scene":
            asyncio.create_task(command.remote.change_scene(step["scene"]))  # switch scene
            continue
        if step["kind"] == "mute":
            asyncio.create_task(command.remote.set_mute(step["source"], True))
            continue
