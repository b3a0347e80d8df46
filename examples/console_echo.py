"""A console that reads lines with console.input(), like the builtin input().

The main program blocks in console.input() until you submit a line in the UI.
Type "quit" to end. Everything the script prints also shows in the console
(console.capture()).

    python examples/console_echo.py
"""

import sidekick

console = sidekick.Console("Echo console. Type something and press Enter.\n", show_input=True)

with console.capture():
    name = console.input("What is your name? ")
    print(f"Hello, {name}!")
    while True:
        line = console.input("> ")
        if line.strip().lower() in ("quit", "exit"):
            print("Bye!")
            break
        print(f"echo: {line} ({len(line)} characters)")

sidekick.shutdown()
