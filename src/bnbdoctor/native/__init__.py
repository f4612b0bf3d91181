"""Readers of native libraries without loading them: ELF headers, the CUDA fat binary inside, the loader's search.

Everything here reads bytes with seek/read and never maps, imports or `dlopen`s the file it describes.
"""
