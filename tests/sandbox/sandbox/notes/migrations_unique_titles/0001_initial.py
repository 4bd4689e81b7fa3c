from importlib import import_module

Migration = import_module("sandbox.notes.migrations.0001_initial").Migration
