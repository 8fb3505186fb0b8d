"""What the suite shares between its tiers: combinations, venvs, servers, clients."""
