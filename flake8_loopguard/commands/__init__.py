"""The commands: ``loopguard check`` (the gate) and ``loopguard migrate`` (the codemods), with what
they share: settings, file discovery, the worker processes, the rule documentation."""
