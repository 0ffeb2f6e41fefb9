"""Voice conversion with a VQ-VAE on spectrograms: a literate, notebook-first toolkit

Modules:

- `speech2speech.quantizer`: Nearest-code lookup, straight-through gradients, commitment loss, EMA or loss-based codebook updates, dead-code restarts, perplexity and usage."""

__version__ = "0.1.0"
