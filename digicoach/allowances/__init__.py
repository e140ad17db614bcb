"""What volunteers are owed under the Belgian volunteer law (wet van 3 juli 2005): flat-rate
expense allowances and kilometre allowances within the caps of each calendar year, the
nominative list per year, and the organisation's insurance per programme."""
