"""ERlens training toolkit: joint NER/RE models trained in plain PyTorch and exported to ONNX.

Runs in the pinned environment .venv (scripts/setup-python.sh, training/requirements.txt): PyTorch 2.13.
"""
