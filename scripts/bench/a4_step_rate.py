"""PyTorch twin of `cargo run --release -p mi-experiments --example a4_step_rate`: training steps
per second of the A4 configurations (encoder pair + bilinear critic + InfoNCE, |I - t| loss,
batch 128, Adam 1e-4) on random inputs. Prints one JSON line per (encoder, variant).

Usage: a4_step_rate.py [steps] [mlp|convnet]. The MLP is timed twice: with torch.optim.Adam as a
script usually creates it (the default, per-parameter implementation) and with Adam(fused=True),
PyTorch's own fused CPU kernel, the counterpart of infomax's fused Adam."""
import json, math, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1, self.l2, self.l3 = nn.Linear(392, 300), nn.Linear(300, 300), nn.Linear(300, 100)

    def forward(self, x):
        return self.l3(F.relu(self.l2(F.relu(self.l1(x)))))


class ConvNet(nn.Module):
    """The paper's ConvNet with TensorFlow 'same' padding, as the encoder in mi-encoders computes it
    (on 1 x 14 x 28 inputs 'same' pads (1, 2) rows/columns before/after, then (2, 2) x (1, 2)).
    `split=False` is what a PyTorch port usually writes (F.pad, then an unpadded convolution);
    `split=True` pads only the surplus pixel and lets the convolution pad the symmetric part, the
    same trick the Rust encoder uses. Both compute the same function."""

    def __init__(self, split):
        super().__init__()
        self.split = split
        self.c1 = nn.Conv2d(1, 64, 5, stride=2, padding=1 if split else 0)
        self.c2 = nn.Conv2d(64, 128, 5, stride=2, padding=(2, 1) if split else 0)
        self.scale = nn.Parameter(torch.ones(128, 1, 1))
        self.bias = nn.Parameter(torch.zeros(128, 1, 1))
        self.out = nn.Linear(128, 100)

    def forward(self, x):
        x = x.view(-1, 1, 14, 28)
        if self.split:
            h = F.relu(self.c1(F.pad(x, (0, 1, 0, 1))))
            h = F.relu(self.c2(F.pad(h, (0, 1, 0, 0))))
        else:
            h = F.relu(self.c1(F.pad(x, (1, 2, 1, 2))))
            h = F.relu(self.c2(F.pad(h, (1, 2, 2, 2))))
        m = h.mean(dim=(1, 2, 3), keepdim=True)
        c = h - m
        s = c.square().mean(dim=(1, 2, 3), keepdim=True).sqrt()
        h = c / (s + 1e-6) * self.scale + self.bias
        return self.out(h.mean(dim=(2, 3)))


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    only = sys.argv[2].lower() if len(sys.argv) > 2 else None
    torch.manual_seed(0)
    data = torch.rand(60000, 784)
    variants = [("Mlp", "", Mlp, False), ("Mlp", "Adam(fused=True)", Mlp, True),
                ("Convnet", "F.pad + unpadded conv", lambda: ConvNet(False), False),
                ("Convnet", "surplus pad + padded conv", lambda: ConvNet(True), False)]
    for name, variant, cls, fused in variants:
        if only is not None and name.lower() != only:
            continue
        g1, g2 = cls(), cls()
        w = nn.Parameter(torch.randn(100, 100) * 0.01)
        opt = torch.optim.Adam(list(g1.parameters()) + list(g2.parameters()) + [w], lr=1e-4, fused=fused)

        def step():
            idx = torch.randint(0, 60000, (128,))
            x = data[idx]
            s = g1(x[:, :392]) @ w @ g2(x[:, 392:]).T
            i_est = math.log(128) + (s.diagonal() - torch.logsumexp(s, dim=1)).mean()
            loss = (i_est - 2.0).abs()
            opt.zero_grad()
            loss.backward()
            opt.step()

        for _ in range(10):
            step()
        start = time.perf_counter()
        for _ in range(steps):
            step()
        secs = time.perf_counter() - start
        print(json.dumps({"encoder": name, "variant": variant, "steps": steps, "seconds": round(secs, 3), "steps_per_second": round(steps / secs, 2)}))


if __name__ == "__main__":
    main()
