"""ERlens training toolkit: joint NER/RE models trained in plain PyTorch and exported to ONNX.

Run with Debian's /usr/bin/python3 and python3-torch (1.13); the same code runs on PyTorch 2.x.
"""
