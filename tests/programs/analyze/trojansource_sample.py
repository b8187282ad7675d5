#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""B613: bidirectional control characters (Trojan Source)."""
name = "café"
access_level = "user"
if access_level != "none‮⁦": # Check if admin ⁩⁦
    print("You are an admin.")
