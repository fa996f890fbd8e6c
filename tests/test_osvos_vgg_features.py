"""The OSVOS baseline's VGG16 stages, built without torchvision's classifier, are torchvision's features."""

import math

import torch
import torchvision
from torch import nn

from humanseg_core.osvos.nets_vgg import vgg16_features


def test_the_layers_and_keys_are_torchvisions_vgg16_features():
    with torch.device("meta"):  # torchvision's own network, its 138 M parameters never allocated
        reference = torchvision.models.vgg16(weights=None).features
    ours = vgg16_features()
    assert [type(m) for m in ours] == [type(m) for m in reference]
    assert {k: v.shape for k, v in ours.state_dict().items()} == {k: v.shape for k, v in reference.state_dict().items()}
    assert [repr(m) for m in ours] == [repr(m) for m in reference]


def test_the_convolutions_start_as_torchvisions_do():
    torch.manual_seed(0)
    convs = [m for m in vgg16_features() if isinstance(m, nn.Conv2d)]
    assert len(convs) == 13
    for conv in convs:
        assert torch.count_nonzero(conv.bias) == 0
        fan_out = conv.out_channels * conv.kernel_size[0] * conv.kernel_size[1]
        # Kaiming-normal, fan-out, ReLU gain: std sqrt(2 / fan_out), not the default uniform's (a=sqrt(5))
        assert abs(conv.weight.std().item() / math.sqrt(2.0 / fan_out) - 1) < 0.05
