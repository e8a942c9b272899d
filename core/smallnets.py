"""The two networks of our own: the notes' MLP and a small CNN (core.models registers
them next to torchvision's classic networks)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["MLP", "SmallCNN"]


class MLP(nn.Module):
    """The notes' MNIST network: learnable layers in nn.Module, stateless ops from F."""

    def __init__(self, in_features: int, num_classes: int, hidden: int = 128) -> None:
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


def _conv_block(c_in: int, c_out: int) -> nn.Sequential:
    """Conv + BatchNorm + ReLU + max-pool: the notes' CNN building block."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, kernel_size=3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(),
        nn.MaxPool2d(2),
    )


class SmallCNN(nn.Module):
    """Three conv blocks, then Dropout, flatten and a linear head.

    The adaptive pool makes the last feature map 3x3 whatever the input size, so the
    head stays small for 224x224 photos while a 28x28 digit (3x3 already) passes
    through unchanged.
    """

    def __init__(
        self, in_channels: int, num_classes: int, widths: tuple[int, ...] = (32, 64, 128)
    ) -> None:
        super().__init__()
        blocks = []
        c_in = in_channels
        for width in widths:
            blocks.append(_conv_block(c_in, width))
            c_in = width
        self.features = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d((3, 3))
        self.dropout = nn.Dropout(0.3)
        self.head = nn.Linear(c_in * 9, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.features(x))
        x = torch.flatten(x, 1)
        return self.head(self.dropout(x))
