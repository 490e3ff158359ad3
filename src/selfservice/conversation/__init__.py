"""The deflection conversation: pure logic, state in, state and messages out."""
