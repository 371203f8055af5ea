# Shape seen in henningerc/RemoteControlStreamAssistant, Controller/CommandController.py (public
# code): a module-level function dispatches chat commands, each one a fire-and-forget create_task.
import asyncio

from loop_runtime import TaskManager

_task_manager = TaskManager()


def dispatch(command):
    for step in command.steps:
        if step["kind"] == "scene":
            _task_manager.add_task(
                asyncio.create_task(command.remote.change_scene(step["scene"])),
                name="create_task_in_dispatch_function:dispatch",
            )  # switch scene
            continue
        if step["kind"] == "mute":
            _task_manager.add_task(
                asyncio.create_task(command.remote.set_mute(step["source"], True)),
                name="create_task_in_dispatch_function:dispatch#2",
            )
            continue
